"""The simulator's process model and scenarios (pure; the OPC UA server is io.opcua.simulator.sim_server)."""
