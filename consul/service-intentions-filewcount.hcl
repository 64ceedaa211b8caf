# Only the edge gateway may call filewcount.
Kind = "service-intentions"
Name = "filewcount"
Sources = [
  {
    Name   = "filewcount-gateway"
    Action = "allow"
  },
]
