"""Approval workflows any plugin can request (``zhanggui_request_approval``).

``models``: workflows and their steps (defined in the console), requests with their
frozen snapshot and frozen path, the approver slots of each step, the append-only
decision log, delegations and used e-mail links.  ``conditions``: the declarative
conditions that choose a workflow.  ``service``: the command objects
(:class:`~.service.OpenRequest`, :class:`~.service.Decide`, ...), where every rule
(no self-approval, no skipped step, no approving twice) is enforced under a row lock.
"""
