# Copy to backend.hcl and set your own bucket; backend.hcl stays out of Git.

bucket       = "my-tofu-state-bucket"
key          = "{{ key }}"
region       = "{{ region }}"
encrypt      = true
use_lockfile = true
