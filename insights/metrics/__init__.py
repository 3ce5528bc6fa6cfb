"""The manager's metrics: every figure a SQL aggregate, in a fixed number of queries."""
