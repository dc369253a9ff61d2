"""The reorganisation of agencies (mergers, moves in the registry) as the QMS sees it:
a successor reads its predecessors' documents in force, adopts them as its own drafts,
counts them in its TTHC coverage until it issues its own, and must declare again."""
