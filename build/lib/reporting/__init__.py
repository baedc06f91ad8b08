"""Reports: the report model, plotly figure builders and tables that both the pages and the command line
show, and the HTML, PDF, JSON and CSV renderers. No Streamlit here."""
