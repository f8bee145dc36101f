"""The trainee's record editor: training, cases, reflection, contacts, CPD, discretions."""
