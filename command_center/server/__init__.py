"""The server shell: assembles pages, routes and the screen hub. It may import everything."""
