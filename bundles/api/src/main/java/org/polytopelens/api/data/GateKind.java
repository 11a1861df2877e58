package org.polytopelens.api.data;

/** Whether a site's code is exact bits (piecewise-linear gates) or probabilities (smooth gates). */
public enum GateKind {
    /** ReLU family, MaxPool: a point is on one side of each boundary. */
    HARD,
    /** GELU, SiLU, Sigmoid, Tanh: a probability of the "on" region per neuron. */
    SOFT
}
