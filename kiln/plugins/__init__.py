"""The plugin system: hookspecs.py is the contract, host.py the only user of pluggy's relay."""
