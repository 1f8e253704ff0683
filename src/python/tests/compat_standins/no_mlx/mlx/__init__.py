"""Stand-in for Apple's MLX (seed 000's manual cache clearing), on the path only where MLX is not installed."""
