"""The region-local cache: values in process, versions shared by every process of the region."""
