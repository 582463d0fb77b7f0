"""The OPC UA side: connections, security and trust, live client, address-space browser,
value types, and the built-in simulator server.

The security vocabulary lives here, free of asyncua, so the command line and
the project-file schema validate names without loading the OPC UA stack.
"""

# The security policies LineTwin speaks, by the short names project files, the
# command line and dialogs use (the policy URI's fragment), weakest first.
# Basic128Rsa15 and Basic256 are deprecated (OPC UA 1.04) but still met in plants.
SECURITY_POLICIES = ("None", "Basic128Rsa15", "Basic256", "Aes128_Sha256_RsaOaep",
                     "Basic256Sha256", "Aes256_Sha256_RsaPss")
DEPRECATED_POLICIES = frozenset({"Basic128Rsa15", "Basic256"})
SECURITY_MODES = ("None", "Sign", "SignAndEncrypt")  # weakest first
