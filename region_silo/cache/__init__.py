"""The region cache: values in process, versions shared by every process of the region."""
