"""What is measured for one configuration: statistics, latency, FLOPs, parameters, memory."""
