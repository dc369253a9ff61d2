"""Management review (ISO 9001:2015 9.3): the meeting record, its inputs, decisions and
actions, and the minutes as .docx."""
