"""What people read: the notice board, the bulletin and other printed or web artefacts."""
