import json, os

if os.path.exists("@USES@.ipynb"):        # run by hand in Jupyter, next to the other notebook
    with open("@USES@.ipynb", encoding="utf-8") as file:
        for cell in json.load(file)["cells"]:
            if cell["cell_type"] == "code" and "@METADATA_KEY@" in cell.get("metadata", {}):
                exec("".join(cell["source"]))
