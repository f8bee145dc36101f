"""The readiness view: the matrix of criteria × observations, requirements, renewal, Form 5."""
