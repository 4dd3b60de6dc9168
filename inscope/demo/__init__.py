"""The demonstration department (``inscope load_demo``): built on top of every app, and imported by none of them."""
