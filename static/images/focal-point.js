// The image form's focal point: click the preview to set focal_x / focal_y (0..1).
document.addEventListener("DOMContentLoaded", () => {
  const preview = document.querySelector(".focal-preview")
  const x = document.getElementById("id_focal_x")
  const y = document.getElementById("id_focal_y")
  if (!preview || !x || !y) return
  const marker = preview.querySelector(".focal-marker")
  const place = () => {
    marker.style.left = `${Number(x.value) * 100}%`
    marker.style.top = `${Number(y.value) * 100}%`
  }
  preview.querySelector("img").addEventListener("click", (event) => {
    const box = event.currentTarget.getBoundingClientRect()
    x.value = ((event.clientX - box.left) / box.width).toFixed(3)
    y.value = ((event.clientY - box.top) / box.height).toFixed(3)
    place()
  })
  x.addEventListener("input", place)
  y.addEventListener("input", place)
  place()
})
