"""Member events: sign-up, check-in and their points (``service``), the REST API (``api``)."""
