// Drag-and-drop ordering for inlines with a "position" column: dragging a row
// renumbers every row's position field, so saving keeps the order shown.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".inline-group tbody").forEach((tbody) => {
    if (!tbody.querySelector("input[name$='-position']")) return;
    let dragged = null;
    const renumber = () => {
      let n = 1;
      tbody.querySelectorAll("tr.form-row").forEach((row) => {
        const input = row.querySelector("input[name$='-position']");
        const article = row.querySelector("select[name$='-article'], input[name$='-article']");
        if (input && article && article.value) input.value = n++;
      });
    };
    tbody.querySelectorAll("tr.form-row").forEach((row) => {
      row.draggable = true;
      row.style.cursor = "move";
      row.addEventListener("dragstart", () => { dragged = row; });
      row.addEventListener("dragover", (event) => event.preventDefault());
      row.addEventListener("drop", (event) => {
        event.preventDefault();
        if (dragged && dragged !== row) {
          tbody.insertBefore(dragged, row);
          renumber();
        }
      });
    });
  });
});
