"""The rules of the desk, UI-free: one module per register plus deadlines, numbering, audit."""
