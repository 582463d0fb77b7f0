"""Alert rules and the alert book: limits, trend, Nelson, Bernoulli CUSUM reject and defect
rates, state-based suppression. Pure: no Qt, VTK, OPC UA or database."""
