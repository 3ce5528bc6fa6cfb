"""Writes that change cases. One module per concern; each function owns its transaction,
checks the actor explicitly (`by=`), and records one CaseEvent per change."""
