"""The HOT frontend: heat_template_version documents, every version."""
