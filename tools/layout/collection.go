package layout

import "fmt"

func init() {
	entryTypes["collection"] = func(n *Node, path string) (Entry, error) {
		if len(n.Collection) == 0 {
			return nil, fmt.Errorf("Node '%s': Collection must have a 'content' property", path)
		}
		return &Collection{refs: n.Collection}, nil
	}
}

// Collection is binman's collection entry: the data of other entries of
// the same image (paths below the image, as Image.Find takes them),
// joined in order. It is obtained ahead of the entries it names when they
// come later, and taken again after packing, when sections are built and
// symbols written.
type Collection struct {
	leaf
	refs []string
}

func (e *Collection) gather(final bool) (content, error) {
	var out content
	for _, r := range e.refs {
		ref := e.image.Find(r)
		if ref == nil {
			return content{}, e.errorf("Cannot find entry '%s' for the collection", r)
		}
		data := ref.b().contents
		if s, ok := ref.(*Section); ok {
			if !final {
				if err := s.obtain(); err != nil {
					return content{}, err
				}
			}
			var err error
			if data, err = s.buildContents(final); err != nil {
				return content{}, err
			}
		} else if !final && ref.b().contents.size == 0 {
			if err := ref.obtain(); err != nil {
				return content{}, err
			}
			data = ref.b().contents
		}
		out.add(out.size, data)
	}
	return out, nil
}

func (e *Collection) obtain() error {
	c, err := e.gather(false)
	if err != nil {
		return err
	}
	e.setContents(c)
	return nil
}

func (e *Collection) process() (bool, error) {
	c, err := e.gather(true)
	if err != nil {
		return false, err
	}
	return e.updateContents(c), nil
}
