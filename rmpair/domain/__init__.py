"""The method: the tandem and its agreement, the plan, the backlog, sessions, notes,
evaluation and nudges, as small services over one read model and change writer
(``records.Records``). The journal facade composes them; they inherit nothing from it.
"""
