"""Pure decisions: the procedure, the audit, secrecy, the board, what is due, the
figures and the calendar. Data in, decisions out: no disk, no git, no terminal.
"""
