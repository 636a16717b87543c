"""Screens of the desk: sign-in, board, one per register, dialogs."""
