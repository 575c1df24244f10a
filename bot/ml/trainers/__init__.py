"""The trainers' workflow: review real conversations, retrain, compare, deploy (issue #7)."""
