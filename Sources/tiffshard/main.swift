print("tiffshard")
