"""Data shipped with Kiln: resource-type schemas (``resources/``) and their meta-schema."""
