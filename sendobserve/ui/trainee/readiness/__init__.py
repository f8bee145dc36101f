"""The readiness view: criteria × observations, the Form 4 requirements, re-registration
and passporting, and ``TraineeScreen`` which pairs them with the record editor."""
