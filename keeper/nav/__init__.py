"""Each epoch: value the venue account, build the position and holder trees, sign, post, settle, write
investor statements."""
