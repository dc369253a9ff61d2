"""The records register (ISO 9001:2015 7.5.3), read from the "Hồ sơ cần lưu" table of
each procedure in force."""
