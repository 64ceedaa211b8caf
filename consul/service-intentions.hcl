# Deny by default: with ACLs off (dev mode) Consul's default would be allow-all, so this wildcard entry
# makes every pair not listed below denied.
Kind = "service-intentions"
Name = "*"
Sources = [
  {
    Name   = "*"
    Action = "deny"
  },
]
