"""The typed IR: template nodes (nodes.py), expressions (expr.py), value types (types.py)."""
