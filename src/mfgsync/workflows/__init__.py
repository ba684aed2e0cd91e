"""Domain workflows: what each message means for the hub's state. Pure: no I/O."""
