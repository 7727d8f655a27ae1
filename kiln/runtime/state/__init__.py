"""The stack state store (SQLAlchemy Core; SQLite by default): see schema.py for the tables,
store.py for the operations, lock.py for the per-stack lock, sealed.py for the secret resource
data kept encrypted with a key file outside the database."""
