"""The region cache's key scheme, which the control silo's invalidations and the regions share."""
