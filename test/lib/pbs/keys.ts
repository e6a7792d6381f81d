/**
 * Throw-away SSH keys generated for these tests with `ssh-keygen -t ed25519` (no passphrase, except
 * the encrypted one). They open nothing: no host or user anywhere trusts them.
 */
export const HOST_PRIVATE_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACCpZxV2UeahOzH3KhLga4Wc0IBJB9mhQ9UPKBa3HklotQAAAJAu2edMLtnn
TAAAAAtzc2gtZWQyNTUxOQAAACCpZxV2UeahOzH3KhLga4Wc0IBJB9mhQ9UPKBa3HklotQ
AAAEB0D/XM0KDU9SPaMsXlzsP4Gg5McVM4zhwa7JxPBUpL16lnFXZR5qE7MfcqEuBrhZzQ
gEkH2aFD1Q8oFrceSWi1AAAADXBicy10ZXN0LWhvc3Q=
-----END OPENSSH PRIVATE KEY-----
`;
export const HOST_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKlnFXZR5qE7MfcqEuBrhZzQgEkH2aFD1Q8oFrceSWi1 pbs-test-host";
/** Another key pair's public half. */
export const OTHER_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK9hQ1hmyXw8H5ImrcRHbeq/SP66tlLqU+Tcb/eNJmCg other";
/** A private key encrypted with the passphrase "pw". */
export const ENCRYPTED_PRIVATE_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABBqRzhIn4
qbGk04DKbmBiMSAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIJNT6u7BqcJSuI8C
QF3Eiw/o8fSJ92c6UNM6fcLxClS1AAAAkNIeTbjWYxIGJXY2zTZyJBKHOTqoUY/5N4FL/Z
QCDSS4TokyVl9YqbL82fa2qiIV/v/JgDbwa4sQJlXdDyz5FH7L2KO1tTXqLJaXFf3+Iwmj
/l+Z6Q91aP1NVkCE9R3zAKRFMDjBWV21TLl/buMhc2rf8R4exyy6c4Yp/r7dQYLo4bT78M
/Xe0zUUNvyBO8VmQ==
-----END OPENSSH PRIVATE KEY-----
`;
export const ADMIN_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK9hQ1hmyXw8H5ImrcRHbeq/SP66tlLqU+Tcb/eNJmCg admin@laptop";
