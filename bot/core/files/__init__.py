"""What every staff file shares: the line-tracking YAML reader, problems with their lines, ids, where files live."""
