"""The desk's own building blocks under every form and screen: database access for a screen,
the screen and dialog base classes, the footer."""
