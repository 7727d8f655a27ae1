"""The stack state store (SQLAlchemy Core; SQLite by default): see schema.py for the tables,
store.py for the operations, lock.py for the per-stack lock."""
