"""Course-scale grading: the job queue and its workers, used when DLEXAM_BROKER_URL names a broker."""
