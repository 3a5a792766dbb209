"""A region's replica of the control silo's organization slug reservations."""
