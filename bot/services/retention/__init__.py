"""The personal-data lifecycle (PIPL Art. 19 and 47): the retention job that deletes what is older
than the retention period (job.py, a process of the stack), and one customer's export and erasure
(`python -m bot privacy export|erase PHONE`, cli.py). SECURITY.md, "Personal-data lifecycle"."""
