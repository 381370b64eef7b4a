"""Built-in metrics, one module per family; each registers its classes by name."""
