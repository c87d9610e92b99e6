// "Insert a picture from the library" for django-prose-editor (Tiptap).
//
// The body stores an empty <figure data-image="ID"></figure>; the server draws it with the
// image's renditions, caption and credit (images/markup.py), and the sanitiser lets through
// no other image (articles/sanitize.py). In the editor the figure shows the picture's
// smallest rendition, fetched from the admin's own JSON view by id.
import { Node, gettext, updateAttrsDialog } from "django-prose-editor/editor"

const lookupUrl = (id) => `${window.location.pathname.split("/admin/")[0]}/admin/images/image/${id}/card/`

function drawPreview(dom, id) {
  dom.replaceChildren()
  dom.dataset.image = id
  const label = document.createElement("span")
  label.className = "library-image-label"
  label.textContent = `${gettext("Library image")} #${id}`
  dom.append(label)
  fetch(lookupUrl(id), { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((data) => {
      const img = document.createElement("img")
      img.src = data.thumbnail
      img.alt = data.alt
      dom.prepend(img)
      label.textContent = `#${id} · ${data.alt} · ${data.credit}`
    })
    .catch(() => {
      label.textContent = `${gettext("Library image")} #${id}: ${gettext("not found")}`
    })
}

export const LibraryImage = Node.create({
  name: "libraryImage",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addAttributes() {
    return {
      id: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-image"),
        renderHTML: (attributes) => ({ "data-image": attributes.id }),
      },
    }
  },

  parseHTML() {
    return [{ tag: "figure[data-image]" }]
  },

  renderHTML({ HTMLAttributes }) {
    return ["figure", HTMLAttributes]
  },

  addNodeView() {
    return ({ node }) => {
      const dom = document.createElement("figure")
      dom.className = "library-image"
      drawPreview(dom, node.attrs.id)
      return { dom }
    }
  },

  addCommands() {
    return {
      insertLibraryImage:
        (id) =>
        ({ commands }) =>
          commands.insertContent({ type: this.name, attrs: { id: String(id) } }),
    }
  },

  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "libraryImage",
      groups: "nodes",
      button: buttons.material("image", gettext("Insert image from the library")),
      enabled: (editor) => editor.can().insertLibraryImage("1"),
      active: (editor) => editor.isActive("libraryImage"),
      command(editor) {
        updateAttrsDialog(
          {
            id: {
              type: "string",
              title: gettext("Image number (from Image library in the admin)"),
              required: true,
            },
          },
          { title: gettext("Insert image from the library"), submitText: gettext("Insert") },
        )(editor, { id: "" }).then((attrs) => {
          const id = String(attrs?.id || "").trim()
          if (/^\d+$/.test(id)) editor.chain().focus().insertLibraryImage(id).run()
        })
      },
    })
  },
})
