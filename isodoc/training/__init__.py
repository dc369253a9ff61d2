"""Training records (ISO 9001:2015 7.2): courses, attendees, internal-auditor
certificates."""
