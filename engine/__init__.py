"""chatlog-vn: a visual-novel engine for stories written as chat logs."""

__version__ = "0.1.0"
