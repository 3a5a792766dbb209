"""`silo verify`: compares the control silo's directory with every region's organizations."""
